/** Workflow entry point for the bundler: every workflow the workers run. */
export { publishOffer } from './publish-offer';
export { sweepOfferSnapshots } from './sweep-offer-snapshots';
export { deprecateOffer } from './deprecate-offer';
export { webhookDelivery } from './webhook-delivery';
export { imageSelfTest } from './image-self-test';
