"""Z704 hardcoded-credentials."""

from __future__ import annotations

from qmoi.check import security_util as su
from qmoi.check.base import Context, Rule
from qmoi.check.registry import register
from qmoi.diagnostics import Severity
from qmoi.model import Container
from qmoi.parse.nodes import Mapping, Scalar


@register
class HardcodedCredentials(Rule):
    """A registry password written into the workflow instead of read from a secret.

    What:
        Reports ``credentials.password`` of a job ``container:`` or of a ``services:``
        container when it is a literal rather than an expression such as
        ``${{ secrets.REGISTRY_PASSWORD }}``.

    Why:
        Everyone who can read the repository can read the password, and it stays in the
        git history after it is removed. Secrets are masked in logs and can be rotated
        without a commit
        (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#jobsjob_idcontainercredentials).

    Example:
        on: push
        jobs:
          test:
            runs-on: ubuntu-latest
            container:
              image: ghcr.io/acme/build:1
              credentials:
                username: bot
                password: hunter2
            steps:
              - run: make

    Fix safety:
        No fix: the password must be rotated and stored as a secret by a person.
    """

    code = "Z704"
    name = "hardcoded-credentials"
    severity = Severity.WARNING

    def job(self, ctx: Context, job_id: Scalar, job: Mapping) -> None:
        model = su.job_of(ctx.workflow, job_id.value)
        if model is None:
            return
        if model.container is not None:
            _check(ctx, model.container, "the job container")
        for service in model.services:
            _check(ctx, service.container, f'the service "{service.name}"')


def _check(ctx: Context, container: Container, what: str) -> None:
    credentials = container.credentials
    password = None if credentials is None else credentials.password
    if password is None or password.is_null or not password.value or "${{" in password.value:
        return
    ctx.report(password, f"the registry password of {what} is written in the workflow; "
                         f"store it as a secret and use ${{{{ secrets.NAME }}}}")
