"""Jobs with ``container:`` and ``services:`` on a real Docker daemon (.ci/run starts one),
with images made on this machine (tests/containers_support.py): nothing is pulled."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from containers_support import box_image, docker_ready, leftovers
from qmoi.events import LogLine, LogLines
from run_helpers import Outcome, make_repo, run_repo

needs_docker = pytest.mark.skipif(not docker_ready(),
                                  reason="needs a running Docker daemon and Debian's "
                                         "busybox-static (.ci/run installs and starts them)")


def _lines(out: Outcome, key: str, name: str) -> list[str]:
    """The output lines of the step part called ``name``."""
    indexes = {e.index for e in out.events
               if type(e).__name__ == "StepStarted" and e.key == key  # type: ignore[attr-defined]
               and e.name == name}  # type: ignore[attr-defined]
    lines: list[str] = []
    for event in out.events:
        if isinstance(event, LogLines) and event.key == key and event.index in indexes:
            lines += event.texts
        elif isinstance(event, LogLine) and event.key == key and event.index in indexes:
            lines.append(event.text)
    return lines


def _job(out: Outcome, key: str) -> dict[str, object]:
    return out.job(key)


def _clean(out: Outcome) -> None:
    assert leftovers(f"qmoi.job={out.record.run_id}") == ([], [])


@needs_docker
def test_steps_run_inside_the_job_container(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QMOI_HOST_ONLY", "host-value")
    image = box_image()
    repo = make_repo(tmp_path / "r", {"ci.yml": f"""
        on: push
        jobs:
          boxed:
            runs-on: ubuntu-latest
            container:
              image: {image}
              env:
                FROM_CONTAINER: container-value
            steps:
              - name: where
                run: |
                  echo "ws=$GITHUB_WORKSPACE"
                  echo "pwd=$PWD"
                  echo "home=$HOME temp=$RUNNER_TEMP"
                  echo "event=$GITHUB_EVENT_PATH $(grep -c after "$GITHUB_EVENT_PATH")"
                  echo "file=$(cat data.txt)"
                  echo "env=$FROM_CONTAINER host=${{QMOI_HOST_ONLY:-absent}}"
                  echo "shell=$(readlink /proc/$$/exe)"
              - id: set
                run: |
                  echo "X=from-env-file" >> "$GITHUB_ENV"
                  echo "/opt/tools" >> "$GITHUB_PATH"
                  echo "out=made-inside" >> "$GITHUB_OUTPUT"
                  echo made > made.txt
              - name: nested
                working-directory: sub
                run: echo "pwd=$PWD file=$(cat inner.txt)"
              - name: after
                shell: bash
                run: |
                  echo "x=$X first=${{PATH%%:*}} out=${{{{ steps.set.outputs.out }}}}"
                  echo "shell=$(readlink /proc/$$/exe)"
                  echo "id=${{{{ job.container.id != '' }}}} net=${{{{ job.container.network }}}}"
        """}, files={"data.txt": "from-the-repo", "sub/inner.txt": "inner"})
    out = run_repo(repo)
    assert out.record.result == "success", out.annotations("boxed")
    where = _lines(out, "boxed", "where")
    workspace = where[0].removeprefix("ws=")
    name = workspace.rsplit("/", 1)[-1]
    assert workspace == f"/__w/{name}/{name}"  # the runner's /__w/<repo>/<repo>
    assert where[1:3] == [f"pwd={workspace}", "home=/github/home temp=/__w/_temp"]
    assert where[3] == "event=/github/workflow/event.json 1"
    assert "file=from-the-repo" in where
    assert "env=container-value host=absent" in where
    assert "shell=/bin/busybox" in where  # the default shell in a container is sh
    assert _lines(out, "boxed", "nested") == [f"pwd={workspace}/sub file=inner"]
    after = _lines(out, "boxed", "after")
    assert after[0] == "x=from-env-file first=/opt/tools out=made-inside"
    assert after[1] == "shell=/usr/bin/bash"
    assert after[2].startswith("id=true net=qmoi_network_")
    names = [s["name"] for s in _job(out, "boxed")["steps"]]  # type: ignore[attr-defined]
    assert names[0] == "Initialize containers" and names[-1] == "Stop containers"
    _clean(out)


@needs_docker
def test_services_are_reached_by_name_and_by_published_port(tmp_path: Path) -> None:
    image = box_image()
    health = '--health-cmd "wget -q -O- http://127.0.0.1:8080/ok" --health-interval 1s'
    repo = make_repo(tmp_path / "r", {"ci.yml": f"""
        on: push
        jobs:
          boxed:
            runs-on: ubuntu-latest
            container: {image}
            services:
              web:
                image: {image}
                options: {health}
            steps:
              - name: fetch
                run: echo "got=$(wget -q -O- http://web:8080/ok)"
          hosted:
            runs-on: ubuntu-latest
            services:
              web:
                image: {image}
                ports: ["8080"]
                options: {health}
            steps:
              - name: fetch
                run: |
                  port=${{{{ job.services.web.ports['8080'] }}}}
                  exec 3<>"/dev/tcp/127.0.0.1/$port"
                  printf 'GET /ok HTTP/1.0\\r\\n\\r\\n' >&3
                  echo "got=$(tail -n 1 <&3)"
        """})
    out = run_repo(repo)
    assert out.record.result == "success", (out.annotations("boxed"),
                                            out.annotations("hosted"))
    assert _lines(out, "boxed", "fetch") == ["got=service-ok"]
    assert _lines(out, "hosted", "fetch") == ["got=service-ok"]
    started = _lines(out, "boxed", "Initialize containers")
    assert "Starting web service container" in started
    assert any(line.startswith("web service is") for line in started)
    _clean(out)


@needs_docker
def test_an_unhealthy_service_fails_the_job_before_its_steps(tmp_path: Path) -> None:
    image = box_image()
    repo = make_repo(tmp_path / "r", {"ci.yml": f"""
        on: push
        jobs:
          j:
            runs-on: ubuntu-latest
            services:
              broken:
                image: {image}
                options: --health-cmd false --health-interval 1s --health-retries 1
            steps:
              - run: echo never
        """})
    out = run_repo(repo)
    assert out.record.result == "failure"
    assert any("broken service is unhealthy" in a for a in out.annotations("j"))
    steps = _job(out, "j")["steps"]  # type: ignore[index]
    assert [s["name"] for s in steps] == ["Initialize containers", "Stop containers"]
    _clean(out)


@needs_docker
@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js on this machine")
def test_a_javascript_action_runs_in_the_job_container(tmp_path: Path) -> None:
    action = """
        name: hello
        inputs:
          who: {default: world}
        runs: {using: node20, main: index.js}
        """
    script = """
        const fs = require("fs");
        const inside = fs.existsSync("/.dockerenv") ? "container" : "host";
        console.log(`hello ${process.env.INPUT_WHO} in=${inside} cwd=${process.cwd()}`);
        console.log(`path=${process.env.GITHUB_ACTION_PATH}`);
        fs.appendFileSync(process.env.GITHUB_OUTPUT, "said=yes\\n");
        """
    repo = make_repo(tmp_path / "r", {"ci.yml": f"""
        on: push
        jobs:
          boxed:
            runs-on: ubuntu-latest
            container: {box_image()}
            steps:
              - id: h
                uses: ./.github/actions/hello
                with:
                  who: box
              - name: after
                run: echo "said=${{{{ steps.h.outputs.said }}}}"
        """}, files={".github/actions/hello/action.yml": textwrap.dedent(action),
                     ".github/actions/hello/index.js": textwrap.dedent(script)})
    out = run_repo(repo)
    assert out.record.result == "success", out.annotations("boxed")
    logs = out.logs("boxed")
    hello = next(line for line in logs if line.startswith("hello "))
    assert hello.startswith("hello box in=container cwd=/__w/")
    assert any(line.startswith("path=/__w/") and line.endswith("/.github/actions/hello")
               for line in logs)
    assert _lines(out, "boxed", "after") == ["said=yes"]
    _clean(out)


@needs_docker
def test_a_missing_image_is_named_and_nothing_is_left(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          j:
            runs-on: ubuntu-latest
            container: localhost:1/qmoi-test/absent:never
            steps:
              - run: echo never
        """})
    out = run_repo(repo)
    assert out.record.result == "failure"
    notes = out.annotations("j")
    assert any("image 'localhost:1/qmoi-test/absent:never' is not on this machine and "
               "could not be pulled" in note for note in notes), notes
    assert "never" not in out.logs("j")
    _clean(out)


def test_an_empty_image_runs_the_job_on_the_host(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          j:
            runs-on: ubuntu-latest
            strategy:
              matrix:
                box: [""]
            container: ${{ matrix.box }}
            steps:
              - run: echo "ws=$GITHUB_WORKSPACE"
        """})
    out = run_repo(repo)
    assert out.record.result == "success"
    key = next(iter(out.record.jobs))
    lines = out.logs(key)
    assert lines and lines[0].startswith("ws=/") and "/__w/" not in lines[0]


def test_without_an_engine_the_job_fails_clearly(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QMOI_CONTAINER_ENGINE", "none")  # as on a machine without one
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          boxed:
            runs-on: ubuntu-latest
            container: node:20
            steps:
              - run: echo never
          action:
            runs-on: ubuntu-latest
            steps:
              - uses: docker://alpine:3
        """})
    out = run_repo(repo)
    assert out.record.result == "failure"
    for key in ("boxed", "action"):
        notes = out.annotations(key)
        assert any("needs Docker or Podman" in note for note in notes), notes
    assert "never" not in out.logs("boxed")


def test_the_path_map_takes_the_longest_mount() -> None:
    from qmoi.execute.containers import Mount, PathMap

    paths = PathMap((Mount("/w/ws", "/__w/r/r"), Mount("/w/tmp", "/__w/_temp"),
                     Mount("/w/tmp/_github_home", "/github/home")))
    assert paths.translate("/w/ws") == "/__w/r/r"
    assert paths.translate("/w/ws/sub/f") == "/__w/r/r/sub/f"
    assert paths.translate("/w/tmp/_github_home/.x") == "/github/home/.x"
    assert paths.translate("/w/wsx") == "/w/wsx"  # a sibling, not inside


def test_port_lines_become_the_ports_context() -> None:
    from qmoi.execute.containers import JobContainers

    class Replying(JobContainers):
        def run(self, *args: str, **_: object) -> str:
            return "8080/tcp -> 0.0.0.0:49153\n8080/tcp -> [::]:49153\n5432/tcp -> 0.0.0.0:5999\n"

    containers = Replying("docker", "l", lambda _: None)
    assert containers._ports("c") == (("8080", "49153"), ("5432", "5999"))


@needs_docker
def test_setup_actions_refuse_a_job_container_and_checkout_fills_it(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": f"""
        on: push
        jobs:
          boxed:
            runs-on: ubuntu-latest
            container: {box_image()}
            steps:
              - uses: actions/checkout@v4
              - name: listed
                run: ls
              - uses: actions/setup-python@v5
                with:
                  python-version: "3.x"
        """}, files={"data.txt": "x"})
    out = run_repo(repo)
    assert "data.txt" in _lines(out, "boxed", "listed")
    notes = out.annotations("boxed")
    assert any("for a job container" in note and "use an image that has Python" in note
               for note in notes), notes
    _clean(out)


@needs_docker
def test_files_a_container_makes_are_given_back_to_the_user(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    # As for a user who is not root: QMOI_CONTAINER_OWNER names who should own them.
    monkeypatch.setenv("QMOI_CONTAINER_OWNER", "4242:4343")
    image = box_image()
    repo = make_repo(tmp_path / "r", {"ci.yml": f"""
        on: push
        jobs:
          boxed:
            runs-on: ubuntu-latest
            container: {image}
            steps:
              - run: mkdir made && echo x > made/file && echo y > "$HOME/home-file"
              - uses: docker://{image}
                with:
                  entrypoint: sh
                  args: -c "echo z > by-action"
              - name: owners
                run: |
                  stat -c "%n %u:%g" made made/file by-action "$HOME/home-file"
                  echo w > late
                  stat -c "%n %u:%g" late
        """})
    out = run_repo(repo)
    assert out.record.result == "success", out.annotations("boxed")
    # A Docker action gives back what it and the steps before it made, once it ends; a
    # step's own files are the container user's while the job runs, as on GitHub's runner
    assert _lines(out, "boxed", "owners") == [
        "made 4242:4343", "made/file 4242:4343", "by-action 4242:4343",
        "/github/home/home-file 4242:4343", "late 0:0"]
    stop = _lines(out, "boxed", "Stop containers")
    assert any(line.startswith("Give what it made in /__w/") and line.endswith(" back to "
                                                                          "4242:4343")
               for line in stop), stop
    _clean(out)


@needs_docker
def test_the_job_container_gives_its_files_back_before_it_goes(tmp_path: Path) -> None:
    from qmoi.execute.containers import ContainerConfig, JobContainers, Mount

    folder = tmp_path / "ws"
    folder.mkdir()
    containers = JobContainers("docker", f"qmoi.job=test-{tmp_path.name}", lambda _: None)
    try:
        containers.start(ContainerConfig(box_image()), (), (Mount(str(folder), "/w"),), "/w")
        assert containers.job is not None
        containers.run("exec", containers.job.id, "sh", "-c", "mkdir /w/d && echo x > /w/d/f")
        assert (folder / "d" / "f").stat().st_uid == 0
        containers.give_back((4242, 4343), containers.job.id, ["/w"])
    finally:
        containers.stop()
    assert all((p.stat().st_uid, p.stat().st_gid) == (4242, 4343)
               for p in (folder, folder / "d", folder / "d" / "f"))


@needs_docker
def test_a_service_runs_its_own_entrypoint_and_command(tmp_path: Path) -> None:
    image = box_image()
    repo = make_repo(tmp_path / "r", {"ci.yml": f"""
        on: push
        jobs:
          boxed:
            runs-on: ubuntu-latest
            container: {image}
            services:
              web:
                image: {image}
                entrypoint: httpd
                command: -f -p 9090 -h /srv
            steps:
              - name: fetch
                run: |
                  for _ in 1 2 3 4 5 6 7 8 9 10; do
                    wget -q -O- http://web:9090/ok && exit 0
                    sleep 0.3
                  done
                  exit 1
        """})
    out = run_repo(repo)
    assert out.record.result == "success", out.annotations("boxed")
    assert _lines(out, "boxed", "fetch") == ["service-ok"]
    _clean(out)
