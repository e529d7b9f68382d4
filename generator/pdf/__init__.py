""".docx to PDF and what is checked on it: conversion with LibreOffice, acceptance, incremental
updates, attachments, archive checks, verify."""
