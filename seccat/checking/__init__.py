"""`seccat check`: the catalog rules on the model, then the pack's resource and stack rules
over the offline engine's resources, with waivers; reports live in seccat.reports."""
