"""Saved searches and their e-mail digests.

``alerts`` stores the saved searches, ``digests`` builds each digest once, keeps it in the
outbox and records what was sent, ``render`` turns a digest into a text + HTML message with
CSV and iCalendar attachments, ``smtp`` hands a stored message to the SMTP server.
"""
