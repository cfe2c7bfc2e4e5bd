"""Downloads: the streamed CSV of any registered dataset, and the page that offers them all."""
