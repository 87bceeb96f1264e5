"""Silences through the real handler and the command, against moto: made, listed and ended by
`deepseek-balance silence`; held notifications recorded with the silence that held them; what
a check costs with no silences and with many ever made."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from balance_cli import errors
from balance_cli import silences as silences_command
from balance_cli.main import main
from balance_monitor.adapters import silence_store
from balance_monitor.adapters.history_table import HistoryTable, _serialize
from balance_monitor.adapters.silence_store import SilenceStore, silence_item
from balance_monitor.alert_lifecycle import NotificationKind, Status
from balance_monitor.history import parse_timestamp
from balance_monitor.silences import MAX_ACTIVE, Silence
from benchmarks.loopback_aws import item_bytes

from .conftest import record_aws_calls, stub_stack_outputs

STACK = "deepseek-balance-monitor"


def command(capsys, monkeypatch, at: str, *argv: str) -> tuple[int, str, str]:
    """deepseek-balance, run at `at` (the checks' event times are what the tests move)."""
    monkeypatch.setattr(silences_command, "now", lambda: parse_timestamp(at))
    capsys.readouterr()  # the function's own metrics are not the command's output
    try:
        code = main(list(argv))
    except SystemExit as refused:  # argparse's own usage errors
        code = int(refused.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def silence(capsys, monkeypatch, monitor, at: str, *options: str) -> str:
    table = monitor.stack.table_name
    code, out, err = command(capsys, monkeypatch, at, "silence", "add", "--table", table, *options, "--json")
    assert code == errors.OK, err
    return json.loads(out)["id"]


def kinds(monitor) -> list[tuple[str, str]]:
    return [(alert.attributes["kind"], alert.attributes["state"]) for alert in monitor.alerts()]


def state_item(monitor) -> dict:
    key = {"account": {"S": "default"}, "record": {"S": "state"}}
    return boto3.client("dynamodb").get_item(TableName=monitor.stack.table_name, Key=key)["Item"]


def test_a_held_alert_is_recorded_with_its_silence_and_the_reminder_comes_when_it_ends(monitor, capsys, monkeypatch):
    monitor.configure(LowBalanceThreshold="CNY=500")
    held_by = silence(
        capsys,
        monkeypatch,
        monitor,
        "2026-11-25T07:55:00Z",
        "--state",
        "low",
        "--for",
        "2h",
        "--reason",
        "finance tops up this morning",
    )

    monitor.scheduled("2026-11-25T08:00:00Z")
    for minute in (15, 30, 45):
        monitor.scheduled(f"2026-11-25T08:{minute}:00Z")

    assert kinds(monitor) == []
    first, *rest = monitor.history()
    assert (first.status, first.notification, first.held, first.silenced_by) == (
        Status.LOW,
        None,
        NotificationKind.ALERT,
        held_by,
    )
    assert all(record.held is None and record.silenced_by is None for record in rest)  # nothing more was due

    monitor.scheduled("2026-11-25T10:00:00Z")  # the silence ended at 09:55; the balance is still low

    assert kinds(monitor) == [("reminder", "low")]
    assert monitor.state().silences == ()
    assert state_item(monitor)["silences"] == {"M": {}}
    _, out, _ = command(
        capsys,
        monkeypatch,
        "2026-11-25T10:01:00Z",
        "history",
        "--table",
        monitor.stack.table_name,
        "--from",
        "2026-11-25T08:00:00Z",
        "--to",
        "2026-11-25T08:00:00Z",
    )
    assert out.splitlines()[1].endswith(f"alert held by silence {held_by}")


def test_a_recovery_is_sent_while_a_silence_holds(monitor, capsys, monkeypatch):
    monitor.configure(LowBalanceThreshold="CNY=500")
    silence(capsys, monkeypatch, monitor, "2026-11-25T07:55:00Z", "--for", "24h", "--reason", "known")
    monitor.scheduled("2026-11-25T08:00:00Z")
    monitor.deepseek.top_up("CNY", "1000")

    monitor.scheduled("2026-11-25T08:15:00Z")

    assert kinds(monitor) == [("recovery", "healthy")]


def test_a_silence_that_does_not_name_key_rejected_does_not_hide_it(monitor, capsys, monkeypatch):
    silence(capsys, monkeypatch, monitor, "2026-11-25T07:55:00Z", "--for", "24h", "--reason", "known")
    monitor.stack.put_api_key('{"api_key": "sk-revoked-0000"}')

    monitor.scheduled("2026-11-25T08:00:00Z")

    assert kinds(monitor) == [("alert", "key_rejected")]


def test_until_top_up_ends_at_the_top_up_the_monitor_sees(monitor, capsys, monkeypatch):
    monitor.configure(LowBalanceThreshold="CNY=500")
    monitor.scheduled("2026-11-25T08:00:00Z")
    assert kinds(monitor) == [("alert", "low")]
    held_by = silence(
        capsys,
        monkeypatch,
        monitor,
        "2026-11-25T08:05:00Z",
        "--state",
        "low",
        "--until-top-up",
        "--reason",
        "ordered a top-up",
    )
    monitor.scheduled("2026-11-25T08:15:00Z")
    monitor.deepseek.top_up("CNY", "50")  # not enough: still below 500

    monitor.scheduled("2026-11-25T08:30:00Z")

    assert kinds(monitor) == [("reminder", "low")]
    code, out, _ = command(
        capsys,
        monkeypatch,
        "2026-11-25T08:31:00Z",
        "silence",
        "list",
        "--table",
        monitor.stack.table_name,
        "--all",
        "--json",
    )
    [listed] = json.loads(out)
    assert (code, listed["id"], listed["in_force"], listed["status"]) == (
        errors.OK,
        held_by,
        False,
        "ended at a top-up",
    )


def test_a_check_that_read_the_state_before_a_silence_was_made_decides_again_with_it(monitor, monkeypatch):
    monitor.scheduled("2026-11-25T07:45:00Z")  # healthy
    monitor.configure(LowBalanceThreshold="CNY=500")
    at = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    made = Silence(
        "5105ced0",
        at - timedelta(minutes=1),
        at + timedelta(hours=1),
        ("low",),
        account="default",
        reason="made while the check ran",
        created_by="test",
    )

    class SilencedMeanwhile(HistoryTable):
        loads = 0

        def load_state(self, account):
            state = super().load_state(account)
            SilencedMeanwhile.loads += 1
            if SilencedMeanwhile.loads == 1:  # after this check has read the state
                SilenceStore(boto3.client("dynamodb"), monitor.stack.table_name).add(made, at)
            return state

    monitor.replace(history=SilencedMeanwhile(boto3.client("dynamodb"), monitor.stack.table_name))
    recorded = record_aws_calls(monkeypatch)

    monitor.scheduled("2026-11-25T08:00:00Z")
    writes = [call.operation for call in recorded if call.service == "dynamodb" and call.operation != "GetItem"]

    assert kinds(monitor) == []
    assert monitor.history()[-1].silenced_by == "5105ced0"
    # The silence's transaction; the check's claim to publish the alert, refused (the version
    # moved); after reading the state again, its commit of the held alert.
    assert writes == ["TransactWriteItems", "UpdateItem", "TransactWriteItems"]


def test_a_silence_made_while_a_healthy_check_runs_is_kept_by_that_checks_write(monitor, monkeypatch):
    """The check writes the whole state item; the silence's raised version makes that write fail
    and the check read again, so the silence is not written over."""
    monitor.scheduled("2026-11-25T07:45:00Z")
    at = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    made = Silence("c0ffee00", at, at + timedelta(hours=1), account="default", reason="r", created_by="test")

    class SilencedMeanwhile(HistoryTable):
        loads = 0

        def load_state(self, account):
            state = super().load_state(account)
            SilencedMeanwhile.loads += 1
            if SilencedMeanwhile.loads == 1:
                SilenceStore(boto3.client("dynamodb"), monitor.stack.table_name).add(made, at)
            return state

    monitor.replace(history=SilencedMeanwhile(boto3.client("dynamodb"), monitor.stack.table_name))
    recorded = record_aws_calls(monkeypatch)

    monitor.scheduled("2026-11-25T08:00:00Z")

    # The silence's transaction, the check's commit refused, the check's commit after reading again.
    assert [call.operation for call in recorded if call.service == "dynamodb"] == [
        "GetItem",
        "TransactWriteItems",
        "TransactWriteItems",
        "GetItem",
        "TransactWriteItems",
    ]
    assert [silence.id for silence in monitor.state().silences] == ["c0ffee00"]


def dynamodb_requests(recorded) -> list[str]:
    return [call.operation for call in recorded if call.service == "dynamodb"]


def test_a_warm_healthy_check_makes_two_dynamodb_requests_with_no_silences_or_with_many_ever_made(
    monitor, capsys, monkeypatch
):
    """Silences cost a check nothing more to read: their copies ride in the state item it reads
    anyway; those over are pruned, so a thousand made before cost what none did."""
    monitor.scheduled("2026-11-25T08:00:00Z")  # the first check writes the state
    recorded = record_aws_calls(monkeypatch)
    monitor.scheduled("2026-11-25T08:15:00Z")
    without = dynamodb_requests(recorded)

    # A thousand silences made and over (their items kept for the audit), and three in force.
    ended = datetime(2026, 11, 25, 8, 20, tzinfo=UTC)
    items = [
        silence_item(
            Silence(
                f"{index:08x}",
                ended - timedelta(days=2),
                ended,
                ("low",),
                account="default",
                reason="old",
                created_by="test",
            )
        )
        for index in range(1000)
    ]
    dynamodb = boto3.client("dynamodb")
    for start in range(0, len(items), 25):
        batch = [{"PutRequest": {"Item": _serialize(item)}} for item in items[start : start + 25]]
        dynamodb.batch_write_item(RequestItems={monitor.stack.table_name: batch})
    in_force = [
        silence(
            capsys,
            monkeypatch,
            monitor,
            "2026-11-25T08:20:00Z",
            "--state",
            "key_rejected",
            "--for",
            "1h",
            "--reason",
            f"rotating key {n}",
        )
        for n in range(3)
    ]
    del recorded[:]
    monitor.scheduled("2026-11-25T08:30:00Z")
    with_silences = dynamodb_requests(recorded)
    copies = state_item(monitor)["silences"]
    table = monitor.stack.table_name
    for silence_id in in_force:
        assert (
            command(capsys, monkeypatch, "2026-11-25T08:40:00Z", "silence", "expire", "--table", table, silence_id)[0]
            == errors.OK
        )
    del recorded[:]
    monitor.scheduled("2026-11-25T08:45:00Z")
    after = dynamodb_requests(recorded)

    assert without == with_silences == after == ["GetItem", "TransactWriteItems"]
    assert {call.service for call in recorded} == {"dynamodb", "secretsmanager"}  # and nothing published
    assert sorted(copies["M"]) == sorted(in_force)  # the thousand over are not in the state item
    assert item_bytes({"silences": copies}) < 3 * 120  # each silence in force adds about 100 bytes
    assert state_item(monitor)["silences"] == {"M": {}}  # once over, no trace in what a check reads


@pytest.fixture
def deployed(monkeypatch, stack):
    stub_stack_outputs(monkeypatch, STACK, {"HistoryTableName": stack.table_name}, calls=8)
    return stack


def test_silence_add_list_and_expire_through_the_stacks_outputs(deployed, capsys, monkeypatch):
    at = "2026-11-25T08:00:00Z"
    code, out, _ = command(
        capsys,
        monkeypatch,
        at,
        "silence",
        "add",
        "--stack",
        STACK,
        "--account",
        "team-a",
        "--state",
        "low",
        "--state",
        "runway_short",
        "--for",
        "3d",
        "--reason",
        "budget approved",
    )
    silence_id = out.split()[1]

    assert code == errors.OK
    assert out.startswith(
        f"Silence {silence_id} holds back the alerts and reminders about low, runway_short for account "
        "team-a, from 2026-11-25 08:00 UTC "
        "until 2026-11-28 08:00 UTC."
    )
    code, out, _ = command(capsys, monkeypatch, at, "silence", "list", "--stack", STACK, "--account", "team-a")
    header, row = out.splitlines()
    assert header.split() == ["id", "states", "from", "until", "status", "by", "reason"]
    assert row.startswith(f"{silence_id}  low, runway_short  2026-11-25 08:00 UTC  2026-11-28 08:00 UTC  in force")
    assert row.endswith("arn:aws:sts::123456789012:user/moto  budget approved")  # the caller, from STS
    assert command(capsys, monkeypatch, at, "silence", "list", "--stack", STACK)[1].startswith(
        "No silences of account default in force"
    )

    code, out, _ = command(
        capsys,
        monkeypatch,
        "2026-11-25T09:00:00Z",
        "silence",
        "expire",
        "--stack",
        STACK,
        "--account",
        "team-a",
        silence_id,
    )

    assert (code, out) == (
        errors.OK,
        f"Silence {silence_id} is over. The next check publishes what the account's state calls for.\n",
    )
    assert (
        SilenceStore(boto3.client("dynamodb"), deployed.table_name)
        .silences("team-a", parse_timestamp("2026-11-25T09:00:00Z"))[0]
        .status(parse_timestamp("2026-11-25T09:00:00Z"))
        .startswith("expired 2026-11-25 09:00 UTC by arn:aws:sts::")
    )
    assert HistoryTable(boto3.client("dynamodb"), deployed.table_name).load_state("team-a").silences == ()
    code, out, _ = command(
        capsys, monkeypatch, at, "silence", "expire", "--stack", STACK, "--account", "team-a", silence_id
    )
    assert (code, out.split(":")[0]) == (errors.OK, f"Silence {silence_id} is already over")


@pytest.mark.parametrize(
    ("options", "code", "message"),
    [
        (["--reason", "x"], errors.USAGE, "say how long"),
        (["--for", "2h"], errors.USAGE, "--reason"),
        (["--for", "31d", "--reason", "x"], errors.USAGE, "at most 30 days"),
        (["--until", "2026-11-24T00:00:00Z", "--reason", "x"], errors.USAGE, "not in the future"),
        (["--for", "soon", "--reason", "x"], errors.USAGE, "give a duration like 90m, 24h or 7d"),
        (["--state", "healthy", "--for", "2h", "--reason", "x"], errors.USAGE, "invalid choice"),
    ],
)
def test_a_silence_asked_for_wrongly_is_refused_and_nothing_is_written(
    stack, capsys, monkeypatch, options, code, message
):
    exit_code, _, err = command(
        capsys, monkeypatch, "2026-11-25T08:00:00Z", "silence", "add", "--table", stack.table_name, *options
    )

    assert exit_code == code
    assert message in err
    assert boto3.client("dynamodb").scan(TableName=stack.table_name)["Items"] == []


def test_expiring_a_silence_that_does_not_exist_exits_6(stack, capsys, monkeypatch):
    code, _, err = command(
        capsys, monkeypatch, "2026-11-25T08:00:00Z", "silence", "expire", "--table", stack.table_name, "0badc0de"
    )

    assert code == errors.NOTHING_FOUND
    assert "account 'default' has no silence 0badc0de" in err


def test_an_account_takes_at_most_twenty_silences_in_force(stack, capsys, monkeypatch):
    for index in range(MAX_ACTIVE):
        assert (
            command(
                capsys,
                monkeypatch,
                "2026-11-25T08:00:00Z",
                "silence",
                "add",
                "--table",
                stack.table_name,
                "--for",
                "1h",
                "--reason",
                f"silence {index}",
            )[0]
            == errors.OK
        )

    code, _, err = command(
        capsys,
        monkeypatch,
        "2026-11-25T08:00:00Z",
        "silence",
        "add",
        "--table",
        stack.table_name,
        "--for",
        "1h",
        "--reason",
        "one more",
    )

    assert code == errors.FAILED
    assert "already has 20 silences in force: expire one first" in err


def test_a_silence_waits_for_an_alert_being_sent_then_says_to_try_again(stack, capsys, monkeypatch):
    """A lease means a check has published and is about to record it: a silence must not move
    the version under it, or that check could not record what it sent."""
    monkeypatch.setattr(silence_store, "STATE_RETRY_SECONDS", 0)
    HistoryTable(boto3.client("dynamodb"), stack.table_name).claim_notification(
        "default", 0, "another-invocation", lease_until=2_000_000_000, now=0
    )
    recorded = record_aws_calls(monkeypatch)

    code, _, err = command(
        capsys,
        monkeypatch,
        "2026-11-25T08:00:00Z",
        "silence",
        "add",
        "--table",
        stack.table_name,
        "--for",
        "1h",
        "--reason",
        "busy",
    )

    assert code == errors.FAILED
    assert "an alert for this account is being sent" in err
    assert [call.operation for call in recorded if call.service == "dynamodb"] == ["TransactWriteItems"] * 10
    assert [item["record"]["S"] for item in boto3.client("dynamodb").scan(TableName=stack.table_name)["Items"]] == [
        "state"
    ]
