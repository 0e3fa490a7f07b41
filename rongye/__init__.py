"""Rongye (融业): the Flask application."""
