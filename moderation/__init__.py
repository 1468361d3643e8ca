"""Moderation policy over plain data: decides, never stores."""
