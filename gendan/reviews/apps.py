from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "gendan.reviews"
    label = "reviews"
