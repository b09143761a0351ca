"""zh-Hans number formats of gendan: thousands grouped by three with a comma (1,250.00), as Chinese
factories write amounts on orders and invoices. Django's own zh_Hans formats group nothing (a separator
of ""), so `floatformat:"2g"` printed 1250000.00; everything else comes from Django's locale."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
