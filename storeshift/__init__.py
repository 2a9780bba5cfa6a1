"""storeshift: check-in kiosk, shift-lead board and insight reports for head-office staff on front-line shifts."""

__version__ = "0.1.0"
APP_NAME = "storeshift"
