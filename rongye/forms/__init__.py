"""WTForms forms; every message is translatable and names its field."""
