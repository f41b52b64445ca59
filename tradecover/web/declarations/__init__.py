"""Pages of declarations: shipment declarations, their list, detail and upload."""
