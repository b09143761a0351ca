from django.http import Http404


def _stub(request, *args, **kwargs):
    raise Http404


change_request_list = change_request_detail = change_request_sign_view = change_request_action = _stub
change_request_new = order_revisions = _stub
