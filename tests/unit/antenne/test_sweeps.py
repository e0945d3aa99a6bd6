"""The periodic sweep accepts overdue help, expires stale requests and gives back unused earmarks."""

from __future__ import annotations

import asyncio

from contracts.antenne.v1 import Category
from services.antenne.domain import ExchangeStatus
from services.antenne.sweeps import sweep, sweep_every
from tests.unit.antenne.practice import TODAY, Clock, antenne_on


def test_one_sweep_does_every_chore_once() -> None:
    clock = Clock()
    with antenne_on("memory:", clock) as antenne:
        anna, bert = antenne.register_member("Anna"), antenne.register_member("Bert")
        antenne.record_exchange(bert, anna, 4, Category.PETS, TODAY)
        antenne.take_request(anna, Category.PETS, preferred_dates=[TODAY])
        clock.advance(14)

        assert sweep(antenne) == (1, 1, 0)
        assert sweep(antenne) == (0, 0, 0)


def test_the_service_sweeps_on_its_own_until_stopped() -> None:
    clock = Clock()
    with antenne_on("memory:", clock) as antenne:
        anna, bert = antenne.register_member("Anna"), antenne.register_member("Bert")
        exchange_id = antenne.record_exchange(bert, anna, 4, Category.PETS, TODAY)
        clock.advance(14)

        async def scenario() -> None:
            stop = asyncio.Event()
            task = asyncio.create_task(sweep_every(antenne, 0.01, stop))
            for _ in range(500):  # bounded: at most about 5 s
                if antenne.get_exchange(exchange_id).status is ExchangeStatus.CONFIRMED:
                    break
                await asyncio.sleep(0.01)
            stop.set()
            await asyncio.wait_for(task, 5)

        asyncio.run(scenario())

        assert antenne.get_exchange(exchange_id).status is ExchangeStatus.CONFIRMED
