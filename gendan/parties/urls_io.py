"""Files in and out (Excel import/export, PDF): kept apart from the screens."""

urlpatterns: list = []
