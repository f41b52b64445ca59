"""Claims on a missed repayment under overseas investment debt insurance ([004])."""
