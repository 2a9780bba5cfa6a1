"""Webcam badge reading: QCamera frames through a QVideoSink, QR decoding with zxing-cpp off
the UI thread a few times a second, each badge held up to the camera read once."""

from __future__ import annotations

import logging
import time

import zxingcpp
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QCamera, QMediaCaptureSession, QMediaDevices, QVideoFrame, QVideoSink

from .worker import run_in_background

log = logging.getLogger("storeshift.ui.camera")


def decode_qr(image: QImage) -> list[str]:
    """Texts of the QR codes in image. zxing-cpp reads 8-bit grey (it refuses the
    ARGB32_Premultiplied images video frames turn into), and only QR is tried: faster, and
    no stray barcode on a product box is taken for a badge."""
    if image.isNull():
        return []
    grey = image if image.format() == QImage.Format.Format_Grayscale8 else \
        image.convertToFormat(QImage.Format.Format_Grayscale8)
    found = zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormat.QRCode)
    return [code.text for code in found if code.valid and code.text]


def camera_present() -> bool:
    try:
        return bool(QMediaDevices.videoInputs())
    except Exception:  # a broken multimedia back end is the same as no camera for the kiosk
        log.exception("listing cameras failed")
        return False


class CameraScanner(QObject):
    """Reads badges from a QVideoSink. start() attaches the default camera to it; tests and
    other sources can push frames into .sink directly. Emits scanned(text) once per badge
    shown: the same code is ignored while it stays in view and for hold_s after it goes."""

    scanned = Signal(str)
    preview = Signal(QImage)
    #: The camera stopped working (unplugged, taken by another program, refused permission).
    lost = Signal()

    def __init__(self, parent: QObject | None = None, interval_ms: int = 250, hold_s: float = 3.0,
                 preview_interval_ms: int = 100):
        super().__init__(parent)
        self.interval_ms = interval_ms
        self.hold_s = hold_s
        self.preview_interval_ms = preview_interval_ms
        self.sink = QVideoSink(self)
        self.sink.videoFrameChanged.connect(self.on_frame)
        self._session: QMediaCaptureSession | None = None
        self._camera: QCamera | None = None
        self._busy = False
        self._last_decode = 0.0
        self._last_preview = 0.0
        self._last_text: str | None = None
        self._last_seen = 0.0
        #: Off when nothing shows the picture (tests, or a kiosk without the camera area).
        self.preview_wanted = False
        self.frames_seen = 0
        self.frames_decoded = 0

    # --- the camera -------------------------------------------------------------------------
    def start(self) -> bool:
        """Open the default camera; False (and the kiosk hides the camera area) when there is
        none, it is busy, or permission is refused."""
        if not self._permission_granted() or not camera_present():
            return False
        try:
            self._camera = QCamera(QMediaDevices.defaultVideoInput(), self)
            self._camera.errorOccurred.connect(self.on_camera_error)
            self._session = QMediaCaptureSession(self)
            self._session.setCamera(self._camera)
            self._session.setVideoSink(self.sink)
            self._camera.start()
        except Exception:
            log.exception("the camera could not be started")
            self.stop()
            return False
        if not self._camera.isActive() and self._camera.error() != QCamera.Error.NoError:
            self.stop()
            return False
        return True

    @staticmethod
    def _permission_granted() -> bool:
        try:
            from PySide6.QtCore import QCameraPermission, QCoreApplication

            app = QCoreApplication.instance()
            return app is None or app.checkPermission(QCameraPermission()) != Qt.PermissionStatus.Denied
        except Exception:  # platforms without a permission system
            return True

    def stop(self) -> None:
        if self._camera is not None:
            self._camera.stop()
            self._camera.deleteLater()
            self._camera = None
        if self._session is not None:
            self._session.deleteLater()
            self._session = None

    @property
    def active(self) -> bool:
        return self._camera is not None and self._camera.isActive()

    def on_camera_error(self, error, text: str = "") -> None:
        log.warning("camera error %s; carrying on with the scanner only", error)
        self.stop()
        self.lost.emit()

    # --- frames -----------------------------------------------------------------------------
    def on_frame(self, frame: QVideoFrame) -> None:
        """Every frame arrives here; only a few per second are converted and decoded, and
        never more than one at a time, so a slow PC keeps a responsive screen."""
        self.frames_seen += 1
        now = time.monotonic() * 1000.0
        want_preview = self.preview_wanted and now - self._last_preview >= self.preview_interval_ms
        want_decode = not self._busy and now - self._last_decode >= self.interval_ms
        if not (want_preview or want_decode) or not frame.isValid():
            return
        image = frame.toImage()
        if image.isNull():
            return
        if want_preview:
            self._last_preview = now
            self.preview.emit(image)
        if want_decode:
            self._busy = True
            self._last_decode = now
            run_in_background(lambda: decode_qr(image), self.on_decoded, self.on_decode_failed)

    def on_decoded(self, texts: list[str]) -> None:
        self._busy = False
        self.frames_decoded += 1
        now = time.monotonic()
        for text in texts:
            if text == self._last_text and now - self._last_seen < self.hold_s:
                self._last_seen = now  # still in front of the camera: not a new scan
                continue
            self._last_text, self._last_seen = text, now
            self.scanned.emit(text)

    def on_decode_failed(self, message: str) -> None:
        self._busy = False
