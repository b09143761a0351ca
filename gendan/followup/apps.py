from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "gendan.followup"
    label = "followup"
