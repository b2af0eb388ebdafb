"""The Textual app. It only calls into the core and renders what the store holds."""
