"""Pages of e-mail: what each person chooses to receive."""
