"""Webhooks after the Standard Webhooks spec: endpoints in `endpoints`, sending in `delivery`."""
