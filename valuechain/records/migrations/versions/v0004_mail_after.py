"""When the notifications service's mailer should (next) try to mail each notice: the
workers record notices in the outbox, the mailer sends them. Notices recorded before this
revision were mailed, or not, by the notifier activity itself: none is due."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("mail_after", sa.DateTime(timezone=True)))
        batch.create_index("ix_outbox_mail_after", ["mail_after"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_mail_after")
        batch.drop_column("mail_after")
