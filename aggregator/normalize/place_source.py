"""Where a listing's place was taken from when not from the notice's place of work
(``details["place_source"]``). Its own module: the CLI shows it without importing the
normalisers (~120 ms of start-up for `aggregator show`)."""

# a listing placed at its buyer's address
PLACE_FROM_BUYER = "buyer address"
