"""Domain errors: failures that retrying cannot fix.

Activities raise them as `ApplicationError(type=<name>, non_retryable=True)`; the names
are also listed in every activity RetryPolicy's `non_retryable_error_types`.
"""

PAYOUT_REJECTED = "PayoutRejected"
BOOKING_CONFLICT = "BookingConflict"
SLUG_TAKEN = "SlugTaken"
TIME_OFF_OVERLAP = "TimeOffOverlap"
STOCK_SHORT = "StockShort"
UNKNOWN_PRODUCT = "UnknownProduct"
UNKNOWN_CUSTOMER = "UnknownCustomer"

NON_RETRYABLE = [
    PAYOUT_REJECTED,
    BOOKING_CONFLICT,
    SLUG_TAKEN,
    TIME_OFF_OVERLAP,
    STOCK_SHORT,
    UNKNOWN_PRODUCT,
    UNKNOWN_CUSTOMER,
]
