// Plain-JS baseline for Haravan (src/connectors/haravan.cpp): the shared family mapping, Haravan's field names.
import { familyNormalizer } from './shopify-family.js';

export const normalize = familyNormalizer({ platform: 'haravan', displayName: 'Haravan', productNameKey: 'title', createdKey: 'created_at', updatedKey: 'updated_at' });
