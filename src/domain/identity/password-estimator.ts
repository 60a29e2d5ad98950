import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';

/**
 * zxcvbn with its English dictionaries (~1.6 MB of word lists): loaded only by the commands that
 * set a password. The build gives it a file of its own (dist/password-estimator.cjs), so that no
 * other command reads it.
 */
export function createPasswordEstimator(): ZxcvbnFactory {
  return new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
  });
}
