"""The world around the workflows, simulated for the examples, the batches and the tests:
the demo people who decide human steps, and the carrier and bank who settle orders."""
