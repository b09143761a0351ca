from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "gendan.complaints"
    label = "complaints"

    def ready(self) -> None:
        from gendan.complaints.models import Complaint
        from gendan.files.registry import register_attachment_owner

        register_attachment_owner(Complaint, key="complaint")  # files on the record (gendan.files)
        from gendan.discussion.registry import register_comment_owner

        register_comment_owner(Complaint, key="complaint", order_of="order", url_name="complaints:detail")
