"""Accounts and secrets: password and token hashing, masking, login throttling."""
