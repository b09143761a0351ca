from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from gendan.accounts.throttle import login_locked
from gendan.core.audit import client_address


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _("Too many failed attempts. Try again in 15 minutes or ask an administrator."),
    }

    def clean(self):
        username = (self.cleaned_data.get("username") or "")[:150]
        if username and login_locked(username=username, address=client_address(self.request)):
            raise forms.ValidationError(self.error_messages["locked"], code="locked")
        return super().clean()
