"""Pages of pricing: quotes, the rate table and the pricing lab."""
