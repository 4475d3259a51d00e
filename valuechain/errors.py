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
# A workflow's input that does not validate: the run fails at once, naming the fields.
INVALID_INPUT = "InvalidInput"
# The worker could not load a run's context (a bad roster, trust, table or machine file).
SETUP_FAILED = "RunSetupFailed"

NON_RETRYABLE = [
    PAYOUT_REJECTED,
    BOOKING_CONFLICT,
    SLUG_TAKEN,
    TIME_OFF_OVERLAP,
    STOCK_SHORT,
    UNKNOWN_PRODUCT,
    UNKNOWN_CUSTOMER,
    INVALID_INPUT,
    SETUP_FAILED,
]
