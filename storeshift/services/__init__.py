"""Domain services: Qt-free, each takes the Storage it works on."""
