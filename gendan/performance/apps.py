from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "gendan.performance"
    label = "performance"

    def ready(self) -> None:
        from gendan.followup.scan import SCAN_STEPS
        from gendan.performance import kpis, promise_sources, services, sources

        for source in (
            sources.followup_compliance,
            sources.exception_response,
            sources.satisfaction,
            sources.complaints,
        ):
            if source not in kpis.KPI_SOURCES:
                kpis.KPI_SOURCES.append(source)
        for hook in (sources.concealment_evidence, sources.complaint_evidence):
            if hook not in services.VIOLATION_EVIDENCE_HOOKS:
                services.VIOLATION_EVIDENCE_HOOKS.append(hook)
        if promise_sources.late_internal_change_evidence not in services.VIOLATION_EVIDENCE_HOOKS:
            services.VIOLATION_EVIDENCE_HOOKS.append(promise_sources.late_internal_change_evidence)
        SCAN_STEPS["performance"] = sources.performance_scan_step
