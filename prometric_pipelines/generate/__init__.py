"""Deterministic synthetic ERP history of Kazakhstan SMEs, loaded with COPY (`prometric generate`)."""
