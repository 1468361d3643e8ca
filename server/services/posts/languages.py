"""The languages members post in, offered by the composer and listed by GET /api/v1/instance/languages:
ISO 639-1 code, English name (Mastodon's Language entity), and the language's own name (the composer)."""
from __future__ import annotations

LANGUAGES = (("en", "English", "English"), ("de", "German", "Deutsch"), ("es", "Spanish", "Español"),
             ("fr", "French", "Français"), ("it", "Italian", "Italiano"), ("nl", "Dutch", "Nederlands"),
             ("pt", "Portuguese", "Português"), ("da", "Danish", "Dansk"), ("sv", "Swedish", "Svenska"),
             ("nb", "Norwegian Bokmål", "Norsk"), ("fi", "Finnish", "Suomi"), ("pl", "Polish", "Polski"),
             ("cs", "Czech", "Čeština"), ("el", "Greek", "Ελληνικά"), ("tr", "Turkish", "Türkçe"),
             ("ar", "Arabic", "العربية"), ("he", "Hebrew", "עברית"), ("ja", "Japanese", "日本語"),
             ("zh", "Chinese", "中文"))
