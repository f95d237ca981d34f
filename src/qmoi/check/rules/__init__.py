"""One rule per module; each registers itself with ``@register``."""
