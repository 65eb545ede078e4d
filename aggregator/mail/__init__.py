"""Saved searches and their e-mail digests: builds and sends messages (no SQL of its own).

``alerts`` checks what a saved search holds and says when it is due (``aggregator.store.alerts``
stores it), ``contents`` says what a digest holds, ``render`` turns a digest into a text + HTML
message with CSV and iCalendar attachments, ``digests`` sends it through the outbox
(``aggregator.store.outbox``) and ``smtp`` hands a stored message to the SMTP server.
"""
