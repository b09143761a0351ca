from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "gendan.quality"
    label = "quality"

    def ready(self) -> None:
        # the order timeline reads inspection statuses through their labels ("不合格 → 让步接收")
        from gendan.orders.models import OrderEvent
        from gendan.quality.models import InspectionStatus

        OrderEvent.label_values(
            InspectionStatus,
            OrderEvent.Type.QUALITY_INSPECTED,
            OrderEvent.Type.QUALITY_CONCESSION,
            OrderEvent.Type.QUALITY_INSPECTION_CANCELLED,
        )
