"""One manager pass: detect → validate → fix → run → read the logs → repair → re-run →
learn, ending with the stats log, the knowledge base and (when all is green) the marker."""

from __future__ import annotations

import time
from collections.abc import Collection
from pathlib import Path

from qmoi.check.config import CONFIG_PATH, parse_config
from qmoi.discover import find_repo_root, qmoi_home
from qmoi.errors import UsageError
from qmoi.learn.kb import FLAKY as FLAKY_OUTCOME
from qmoi.learn.kb import KnowledgeBase
from qmoi.learn.kb_store import StoreKnowledgeBase
from qmoi.manager import gitops, stats
from qmoi.manager.attempt import WorkflowOutcome, event_for, run_round, triggered
from qmoi.manager.diagnose import diagnose
from qmoi.manager.marker import VerifiedWorkflow, content_hash, write_marker
from qmoi.manager.options import ManagerOptions
from qmoi.manager.repair import FLAKY, Applied, Refused, RepairContext, repair
from qmoi.manager.results import PassResult, Tracking, WorkflowResult, final
from qmoi.manager.validate import Validation, load, validate
from qmoi.manager.versions import Detector, JsonlVersions, StoreVersions, VersionRecorder
from qmoi.manager.view import PlainView
from qmoi.plan import LoadedWorkflow
from qmoi.store import open_store


def repository(start: Path) -> Path:
    root = find_repo_root(start.resolve())
    if root is None or not (root / ".git").exists():
        raise UsageError(f"no git repository found at or above {start}; the manager needs one")
    return root


class Manager:
    def __init__(self, options: ManagerOptions, view: PlainView,
                 kb: KnowledgeBase | None = None, versions: VersionRecorder | None = None
                 ) -> None:
        self.options, self.view = options, view
        self.root = repository(options.repo)
        home = qmoi_home(self.root)
        assert home is not None
        self.home = home
        self.stats_path = options.stats if options.stats.is_absolute() else \
            self.root / options.stats
        self.store = open_store(home)
        self.kb: KnowledgeBase = kb or StoreKnowledgeBase(self.store)
        recorder = versions or StoreVersions(
            self.store, JsonlVersions(home / "manager" / "deleted.jsonl"))
        self.detector = Detector(self.root, home / "manager" / "seen.json", recorder)

    def close(self) -> None:
        self.store.close()

    @property
    def exclude(self) -> tuple[str, ...]:
        """Never part of a snapshot: what the manager itself writes (the stats log, and the
        QMOI home when ``$QMOI_HOME`` puts it inside the repository unexcluded)."""
        root = self.root.resolve()
        found = []
        for path in (self.stats_path, self.home):
            try:
                found.append(path.resolve().relative_to(root).as_posix())
            except ValueError:
                continue
        return tuple(found)

    def fixer_command(self) -> str | None:
        path = self.root / CONFIG_PATH
        if not path.is_file():
            return None
        return parse_config(path.read_text(encoding="utf-8", errors="replace")).fixer_command

    # ------------------------------------------------------------------ the pass

    def run_pass(self, event: str | None = None, only: Collection[str] | None = None
                 ) -> PassResult:
        """One pass for ``event`` (default: the options'); ``only`` limits it to these
        workflow paths (the cron's due schedule workflows)."""
        name = event or self.options.event
        changes = self.detector.scan(gitops.head(self.root))
        for change in changes:
            self.view.note(f"{change.kind}: {change.path}")
        validation = self._validate()
        loaded, invalid = load(self.root)
        results = [self._invalid(path, message) for path, message in
                   ((i.path, i.message) for i in invalid)]
        commit = gitops.snapshot(self.root, self.exclude)
        chosen = triggered(loaded, event_for(self.root, name, commit))
        if only is not None:
            chosen = [w for w in chosen if w.repo_path in only or w.display in only]
        if not chosen:
            self.view.note(f"no workflow runs on {name}")
        tracks = {w.display: Tracking(w) for w in chosen}
        commit = self._rounds(tracks, name, commit)
        results += [final(t) for t in tracks.values()]
        marker = self._marker(commit, name, tracks) if all(r.green for r in results) else None
        self.detector.remember(self.detector.current())
        return PassResult(commit, name, tuple(results), validation, tuple(changes), marker)

    def _validate(self) -> Validation:
        validation = validate(self.root, self.options.fix)
        for fixed in validation.fixed:
            self.view.note(f"fixed {fixed.path}: " + "; ".join(fixed.titles))
        for refused in validation.refused:
            self.view.note(f"not fixed (escape hatch): {refused}")
        if validation.findings:
            self.view.note(f"{len(validation.findings)} lint finding(s) remain "
                           f"(qmoi lint shows them)")
        if validation.fixed and self.options.commit:
            lines = [f"- {f.path}: " + "; ".join(f.titles) for f in validation.fixed]
            sha = gitops.commit_paths(self.root, validation.fixed_paths,
                                      "qmoi: fix workflows\n\n" + "\n".join(lines))
            if sha:
                self.view.note(f"committed the fixes as {sha[:12]}")
        if validation.fixed:
            self.detector.scan(gitops.head(self.root))  # the fixed files are new versions
        return validation

    def _invalid(self, path: str, message: str) -> WorkflowResult:
        first = message.splitlines()[1] if "\n" in message else message
        self.view.workflow(path, "invalid", None, first)
        self._stats(path, "", 1, "invalid", None, "misconfiguration", None, first)
        return WorkflowResult(path, "invalid", 0, None, (), message)

    def _rounds(self, tracks: dict[str, Tracking], event: str, commit: str) -> str:
        pending = list(tracks)
        while pending:
            loaded, invalid = load(self.root)
            current = {w.display: w for w in loaded}
            for bad in invalid:
                if bad.path in pending:
                    self._stop(tracks[bad.path], "invalid", bad.message)
                    pending.remove(bad.path)
            runnable = [current[p] for p in pending if p in current]
            if not runnable:
                break
            for workflow in runnable:
                tracks[workflow.display].workflow = workflow
                self.view.workflow(workflow.display, "running",
                                   tracks[workflow.display].attempts + 1)
            outcomes = run_round(self.root, self.home, runnable,
                                 event_for(self.root, event, commit), self.view.run_event,
                                 self.options.max_parallel, self.store)
            waits, changed, pending = self._judge(tracks, runnable, outcomes, commit)
            if changed:
                commit = self._after_changes(tracks, commit)
                pending += [p for p, t in tracks.items() if t.result == "success"
                            and t.green_on != commit and p not in pending
                            and t.attempts < self.options.max_attempts]
            if waits and pending:
                self.view.note(f"waiting {max(waits):g}s before the re-run (backoff)")
                time.sleep(max(waits))
        return commit

    def _judge(self, tracks: dict[str, Tracking], runnable: list[LoadedWorkflow],
               outcomes: dict[str, WorkflowOutcome], commit: str
               ) -> tuple[list[float], bool, list[str]]:
        waits: list[float] = []
        changed = False
        again: list[str] = []
        for workflow in runnable:
            track = tracks[workflow.display]
            track.attempts += 1
            outcome = outcomes.get(workflow.display)
            if outcome is None:
                self._stop(track, "success", None)
                track.green_on = commit
                self.view.workflow(track.path, "success", track.attempts,
                                   "no longer triggered by the event")
                continue
            changed |= self._settle(track, outcome)
            if outcome.result == "success":
                self._green(track, outcome, commit)
                continue
            applied = self._repair(track, outcome, commit)
            if applied:
                again.append(workflow.display)
                waits += [a.wait for a in applied]
                changed |= any(a.paths for a in applied)
        return waits, changed, again

    def _settle(self, track: Tracking, outcome: WorkflowOutcome) -> bool:
        """Learn from the repairs the last attempt tested; revert an external patch that
        did not make the workflow green. True when files changed."""
        changed = False
        for applied in track.pending:
            job = applied.diagnosis.job
            own = outcome.job_result(job.job_id, job.name)
            won = own == "success" if own is not None else outcome.result == "success"
            flaky = applied.name == FLAKY and won
            track.flaky |= flaky
            self.kb.record(applied.diagnosis.signature, applied.diagnosis.failure_class,
                           applied.name, won, example=applied.diagnosis.first_line(),
                           outcome=FLAKY_OUTCOME if flaky else None)
            if applied.patch is not None and outcome.result != "success":
                problem = gitops.apply_patch(self.root, applied.patch, reverse=True)
                self.view.note(f"[{track.path}] reverted the external fixer's patch"
                               + (f" (failed: {problem})" if problem else ""))
                changed = True
            elif applied.patch is not None and self.options.commit:
                gitops.commit_paths(self.root, list(applied.paths),
                                    f"qmoi: external fixer's patch for {track.path}")
        track.pending = []
        return changed

    def _green(self, track: Tracking, outcome: WorkflowOutcome, commit: str) -> None:
        note = "flaky: passed on a re-run of the same commit" if track.flaky else None
        self._stop(track, "success", None)
        track.green_on = commit
        self._stats(track.workflow.repo_path, commit, track.attempts, "success", outcome,
                    None, None, note)
        self.view.workflow(track.path, "flaky" if track.flaky else "success", track.attempts,
                           f"{outcome.duration_s:.1f}s")

    def _repair(self, track: Tracking, outcome: WorkflowOutcome, commit: str) -> list[Applied]:
        diagnoses = [diagnose(outcome.run_dir, track.workflow.repo_path, job)
                     for job in outcome.failed]
        cls = diagnoses[0].failure_class if diagnoses else None
        if not diagnoses:
            return self._give_up(track, outcome, commit, None,
                                 f"the run ended {outcome.result} without a failed job")
        for d in diagnoses:
            self.view.note(f"[{track.path}] job {d.job.name}: {d.failure_class} failure "
                           f"({d.explanation.signature or 'no signature'}): {d.first_line()}")
        if track.attempts >= self.options.max_attempts:
            return self._give_up(track, outcome, commit, cls,
                                 f"still failing after {track.attempts} attempt(s) "
                                 f"(--max-attempts {self.options.max_attempts})")
        self.view.workflow(track.path, "repairing", track.attempts)
        ctx = RepairContext(self.root, self.options, track.workflow, outcome.run_dir, commit,
                            track.attempts, self.fixer_command(), self.exclude)
        done = [repair(d, ctx, track.memory, self.kb) for d in diagnoses]
        refused = [d for d in done if isinstance(d, Refused)]
        applied = [d for d in done if isinstance(d, Applied)]
        if refused:
            for item in applied:
                if item.patch is not None:
                    gitops.apply_patch(self.root, item.patch, reverse=True)
            for no in refused:
                self.kb.record(no.diagnosis.signature, no.diagnosis.failure_class,
                               "manual", False, example=no.diagnosis.first_line())
            reason = "; ".join(f"job {r.diagnosis.job.name}: {r.reason}" for r in refused)
            return self._give_up(track, outcome, commit, refused[0].diagnosis.failure_class,
                                 reason)
        track.pending = applied
        names = ", ".join(dict.fromkeys(a.name for a in applied))
        track.repairs += [a.name for a in applied]
        self._stats(track.workflow.repo_path, commit, track.attempts, outcome.result, outcome,
                    cls, names, "; ".join(a.detail for a in applied if a.detail))
        self.view.workflow(track.path, "waiting", track.attempts,
                           "; ".join(f"{a.name}: {a.detail}" for a in applied))
        return applied

    def _give_up(self, track: Tracking, outcome: WorkflowOutcome, commit: str,
                 cls: str | None, reason: str) -> list[Applied]:
        self._stop(track, outcome.result, reason)
        self._stats(track.workflow.repo_path, commit, track.attempts, outcome.result, outcome,
                    cls, None, reason)
        self.view.workflow(track.path, "gave up", track.attempts, reason)
        return []

    def _stop(self, track: Tracking, result: str, reason: str | None) -> None:
        track.result, track.reason = result, reason

    def _after_changes(self, tracks: dict[str, Tracking], commit: str) -> str:
        """Commit the repairs (``--commit``; external patches wait for a green run) or
        snapshot the working tree; the commit the next round runs."""
        if self.options.commit:
            paths = sorted({p for t in tracks.values() for a in t.pending
                            if a.patch is None for p in a.paths})
            names = sorted({a.name for t in tracks.values() for a in t.pending if a.paths})
            if paths:
                sha = gitops.commit_paths(self.root, paths, "qmoi: repair ("
                                          + ", ".join(names) + ")")
                if sha:
                    self.view.note(f"committed the repair as {sha[:12]}")
        new = gitops.snapshot(self.root, self.exclude)
        if new != commit:
            self.view.note(f"next runs use {new[:12]}" + (" (a snapshot of the working tree)"
                                                         if new != gitops.head(self.root)
                                                         else ""))
        return new

    def _stats(self, workflow: str, commit: str, attempt: int, result: str,
               outcome: WorkflowOutcome | None, cls: str | None, repair_: str | None,
               note: str | None) -> None:
        line = stats.StatsLine(
            stats.now_iso(), commit, workflow, attempt, result,
            outcome.duration_s if outcome else 0.0, outcome.queue_s if outcome else 0.0,
            cls, repair_, outcome.run_id if outcome else None, note)
        stats.append(self.stats_path, line)
        self.view.attempt_done(line)

    def _marker(self, commit: str, event: str, tracks: dict[str, Tracking]) -> Path | None:
        if any(t.green_on != commit for t in tracks.values()):
            self.view.note("not verified: some workflows passed only on an earlier commit")
            return None
        verified = [VerifiedWorkflow(t.workflow.repo_path, content_hash(t.workflow.path),
                                     "flaky" if t.flaky else "success", t.attempts)
                    for t in tracks.values()]
        path = write_marker(self.home, self.root, commit, event, verified)
        self.view.note(f"verified {commit[:12]}: {path}")
        return path

