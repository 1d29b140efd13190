"""Renderers: turn a preview or check result into text, JSON, Markdown, SARIF or JUnit."""
