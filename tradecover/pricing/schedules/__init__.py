"""Investment-debt premium schedules (see ``service``)."""
