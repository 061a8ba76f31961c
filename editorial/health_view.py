"""The /health/ endpoint (django-health-check's view): anonymous callers — a load balancer, anyone — get a bare status
("ok" 200 or "unavailable" 500) from checks run at most once every HEALTH_CHECK_SECONDS, whoever asks and in
whichever process (the result is kept in the shared cache), so the endpoint can neither be used to write files
at will nor list what the platform runs. Staff, and monitors sending `Authorization: Bearer <DJANGO_HEALTH_TOKEN>`,
get each check with its message, run afresh."""

import asyncio
import hmac
import logging

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from health_check.views import HealthCheckView

logger = logging.getLogger("editorial.health")
STATUS_KEY = "health:status"


class HealthView(HealthCheckView):
    async def get(self, request, *args, **kwargs):
        if await self._detailed(request):
            return await super().get(request, *args, **kwargs)
        healthy = await self._cached_status()
        if healthy is None:
            with self.get_executor() as executor:
                results = await asyncio.gather(*(check.get_result(executor) for check in self.get_checks()))
            healthy = not any(result.error for result in results)
            try:
                await caches["shared"].aset(STATUS_KEY, healthy, settings.HEALTH_CHECK_SECONDS)
            except Exception:  # noqa: BLE001 - the shared cache is the database: its own check says why
                logger.warning("The health status could not be kept in the shared cache.", exc_info=True)
        return HttpResponse("ok\n" if healthy else "unavailable\n", status=200 if healthy else 500,
                            content_type="text/plain; charset=utf-8")

    async def _cached_status(self) -> bool | None:
        try:
            return await caches["shared"].aget(STATUS_KEY)
        except Exception:  # noqa: BLE001 - run the checks, which report the database
            return None

    async def _detailed(self, request) -> bool:
        token = settings.HEALTH_TOKEN
        header = request.headers.get("Authorization", "")
        if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].encode(), token.encode()):
            return True
        user = await request.auser()
        return bool(user.is_active and user.is_staff)
