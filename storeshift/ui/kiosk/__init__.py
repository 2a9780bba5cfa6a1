"""The check-in kiosk: the window and its screens."""
