"""Web dashboard adapter: server-rendered pages in English, Chinese and Korean."""
