/** Workflow entry point for the bundler: every workflow the workers run. */
export { publishOffer } from './publish-offer';
export { sweepOfferSnapshots } from './sweep-offer-snapshots';
