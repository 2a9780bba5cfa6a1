"""The webcam path: video frames of a real QR badge go through the sink and the decoder."""

from __future__ import annotations

import io

import pytest
import qrcode
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtMultimedia import QVideoFrame
from PySide6.QtTest import QTest

from storeshift.ui.camera import CameraScanner, camera_present, decode_qr

# Frame conversion on a PC without a GPU says so once; that is not a fault.
pytestmark = pytest.mark.qt_log_ignore("No RHI backend", "Couldn't (load|resolve)")

CODE = "SS1-ABCD-EFGHIJKLMNOPQRSTUVWXYZ2345-12-ABCDEFGHIJKLMNOP"


def badge_frame(payload: str, width: int = 640, height: int = 480) -> QVideoFrame:
    """A camera-sized frame with a printed badge's QR code in it, as a webcam would see it."""
    code = qrcode.QRCode(border=4, box_size=5)
    code.add_data(payload)
    code.make(fit=True)
    png = io.BytesIO()
    code.make_image().get_image().convert("L").save(png, "PNG")
    badge = QImage.fromData(png.getvalue())
    canvas = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
    canvas.fill(Qt.GlobalColor.darkGray)
    painter = QPainter(canvas)
    painter.drawImage((width - badge.width()) // 2, (height - badge.height()) // 2, badge)
    painter.end()
    return QVideoFrame(canvas)


def empty_frame() -> QVideoFrame:
    canvas = QImage(640, 480, QImage.Format.Format_ARGB32_Premultiplied)
    canvas.fill(Qt.GlobalColor.darkGray)
    return QVideoFrame(canvas)


def test_decode_reads_a_frame_image_after_grey_conversion():
    image = badge_frame(CODE).toImage()
    assert image.format() != QImage.Format.Format_Grayscale8
    assert decode_qr(image) == [CODE]
    assert decode_qr(empty_frame().toImage()) == []


def test_a_badge_held_in_view_is_read_once(qtbot):
    reader = CameraScanner(interval_ms=40, hold_s=3.0)
    found: list[str] = []
    reader.scanned.connect(found.append)
    for _ in range(12):  # about half a second of a badge held still in front of the camera
        reader.sink.setVideoFrame(badge_frame(CODE))
        QTest.qWait(45)
    qtbot.waitUntil(lambda: reader.frames_decoded >= 3, timeout=3000)
    assert found == [CODE]
    assert reader.frames_seen == 12 and reader.frames_decoded < reader.frames_seen

    other = CODE.replace("-12-", "-13-")
    for _ in range(40):  # the next visitor's badge, for as long as it takes
        reader.sink.setVideoFrame(badge_frame(other))
        QTest.qWait(45)
        if len(found) == 2:
            break
    assert found == [CODE, other]


def test_the_same_badge_shown_again_after_it_went_away_is_read_again(qtbot):
    reader = CameraScanner(interval_ms=20, hold_s=0.3)
    found: list[str] = []
    reader.scanned.connect(found.append)
    for expected in ([CODE], [CODE, CODE]):
        for _ in range(40):
            reader.sink.setVideoFrame(badge_frame(CODE))
            QTest.qWait(30)
            if found == expected:
                break
        assert found == expected
        QTest.qWait(400)  # the badge is taken away


def test_no_camera_means_start_reports_false(qtbot):
    reader = CameraScanner()
    if camera_present():
        return  # a PC with a webcam: nothing to check here
    assert reader.start() is False
    assert not reader.active
