"""The exercises of every chapter; importing this package registers them all."""

from kamlab.course.chapters import ch00, ch01, ch02, ch03, ch04, ch05, ch06, ch07  # noqa: F401
