"""The PySide6 user interface: kiosk, shift-lead window and the widgets they share."""
