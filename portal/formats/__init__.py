"""Date formats per language (only English here), read through FORMAT_MODULE_PATH."""
